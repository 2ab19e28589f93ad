/** Package managers a project can be installed with. */
export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

/**
 * The package manager that ran the scaffolder, from `npm_config_user_agent`
 * (`pnpm/9.1.0 npm/? node/v20.19.0 linux x64`); npm when it is not set or unknown.
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(" ")[0]?.split("/")[0];
  return name === "pnpm" || name === "yarn" || name === "bun" ? name : "npm";
}

/** The command that runs a package.json script with `manager`. */
export function runScript(manager: PackageManager, script: string): string {
  return manager === "npm" ? `npm run ${script}` : `${manager} ${script}`;
}
