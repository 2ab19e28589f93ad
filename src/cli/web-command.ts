import { UsageError } from "../generate/errors.js";
import { createDashboard } from "../web/dashboard.js";
import { DEFAULT_WEB_NAMESPACE } from "../web/dashboard-view.js";
import { type ParsedArgs, stringFlag } from "./args.js";
import { createCliBroker, readCliConfig } from "./cli-env.js";
import { type CliIo, err, out } from "./io.js";
import { checkListenAddress, createServingClient, listenFailure, untilSignal } from "./serve.js";

/** Where `micro web` listens unless told otherwise, as micro's web UI. */
export const DEFAULT_WEB_ADDRESS = ":8082";

/**
 * `micro web [--address host:port] [--namespace prefix]`: serves the dashboard until
 * SIGINT or SIGTERM, with the API gateway under /api and web apps proxied at /<name>/.
 * It uses the registry, broker and client settings services use (MICRO_*).
 */
export async function webCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const address = stringFlag(args, "address") ?? DEFAULT_WEB_ADDRESS;
  const webNamespace = stringFlag(args, "namespace") ?? DEFAULT_WEB_NAMESPACE;
  checkListenAddress(address);
  if (webNamespace === "") throw new UsageError("micro web: --namespace must not be empty");
  const config = readCliConfig(io.env);
  const serving = createServingClient(config, (registry) =>
    createCliBroker(config, registry, (error, context) =>
      err(io, `publish to ${context.topic ?? "?"} failed (${context.operation}): ${String(error)}`),
    ),
  );
  const { registry, client, broker } = serving;
  // Loaded here: the other commands do not need the gateway.
  const { createApiGateway } = await import("@micro-ts/runtime/api");
  const gateway = createApiGateway({ registry, client });
  const dashboard = createDashboard({ registry, broker, gateway, webNamespace });
  try {
    const bound = await dashboard.listen(address).catch((error: unknown) => {
      throw listenFailure("web", address, error);
    });
    out(
      io,
      `micro web: dashboard at http://${bound}/ (gateway at /api, web apps under ${webNamespace})`,
    );
    await untilSignal();
    return 0;
  } finally {
    await dashboard.close();
    await gateway.close();
    await serving.close();
  }
}
