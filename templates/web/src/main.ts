import { WEB_NAME, startWebApp } from "./app.js";
import { createRegistry } from "./registry.js";

// Listens on MICRO_WEB_ADDRESS (default 127.0.0.1:0: a free port, found through the
// registry by `micro web`) with the registry services use (MICRO_REGISTRY, ...).
const registry = createRegistry();
const app = await startWebApp({
  registry,
  address: process.env["MICRO_WEB_ADDRESS"] ?? "127.0.0.1:0",
});
console.log(`started ${WEB_NAME} address=${app.address}`);

const stop = async (signal: string) => {
  console.log(`stopping ${WEB_NAME} signal=${signal}`);
  await app.close();
  await registry.close();
  console.log(`stopped ${WEB_NAME}`);
};
process.once("SIGINT", () => void stop("SIGINT"));
process.once("SIGTERM", () => void stop("SIGTERM"));
