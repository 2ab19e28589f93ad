import cluster, { type Worker } from "node:cluster";
import { type CliIo, err, out } from "./io.js";
import { STOP_MESSAGE, untilSignal } from "./serve.js";

/** What a gateway worker tells the primary once it listens. */
interface ListeningMessage {
  readonly micro: "listening";
  readonly address: string;
}

/** How long stopping workers may drain before they are killed, ms. */
const STOP_TIMEOUT_MS = 15_000;

function isListening(message: unknown): message is ListeningMessage {
  return (message as ListeningMessage | null)?.micro === "listening";
}

/** In a gateway worker: tells the primary where it listens (the primary prints it). */
export function announceWorker(address: string): void {
  const message: ListeningMessage = { micro: "listening", address };
  process.send?.(message);
}

/**
 * `micro api --workers n`: one Node process serves one core, so the primary forks `n`
 * gateway processes that share the port (node:cluster hands out connections in turn).
 * It prints the banner once all listen; a worker that dies after that is replaced, one
 * that dies before is a failed start (exit 1, the rest stopped). SIGINT or SIGTERM drains
 * every worker, then exits 0.
 */
export async function runApiWorkers(
  count: number,
  io: CliIo,
  banner: (address: string) => string,
): Promise<number> {
  const workers = new Set<Worker>();
  /** Workers that said they listen: they have a stop handler, the others do not yet. */
  const serving = new Set<Worker>();
  let stopping = false;
  /** True once every first worker listened: later exits are replaced, not a failed start. */
  let up = false;
  let failStart: ((error: Error) => void) | undefined;
  let announced: ((address: string) => void) | undefined;

  const fork = (): void => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on("message", (message: unknown) => {
      if (!isListening(message) || serving.has(worker)) return;
      serving.add(worker);
      if (serving.size === count) announced?.(message.address);
    });
    worker.once("exit", (code, signal) => {
      workers.delete(worker);
      const served = serving.delete(worker);
      if (stopping) return;
      if (!served && !up) {
        failStart?.(new Error(`a gateway worker exited with ${signal ?? code} before listening`));
        return;
      }
      if (!served) {
        // A replacement that cannot start would fail the same way again: say so, go on.
        err(io, `micro api: replacement worker exited with ${signal ?? code} before listening`);
        return;
      }
      err(
        io,
        `micro api: worker ${worker.process.pid} exited (${signal ?? code}); starting another`,
      );
      fork();
    });
  };

  const started = new Promise<string>((resolve, reject) => {
    announced = resolve;
    failStart = reject;
  });
  for (let n = 0; n < count; n++) fork();
  let code = 0;
  try {
    const address = await started;
    up = true;
    out(io, `${banner(address)}, ${count} worker processes`);
    await untilSignal();
  } catch (error) {
    err(io, `micro api: ${(error as Error).message}; see its error above`);
    code = 1;
  }
  stopping = true;
  await stopAll(workers, serving);
  return code;
}

/**
 * Asks every serving worker to drain and ends the ones still starting (they hold no
 * calls yet); kills what still runs after STOP_TIMEOUT_MS.
 */
async function stopAll(workers: ReadonlySet<Worker>, serving: ReadonlySet<Worker>): Promise<void> {
  const exits = [...workers].map(
    (worker) =>
      new Promise<void>((resolve) => {
        if (worker.isDead()) return resolve();
        worker.once("exit", () => resolve());
        if (serving.has(worker) && worker.isConnected()) worker.send(STOP_MESSAGE);
        else worker.process.kill("SIGTERM");
      }),
  );
  const timer = setTimeout(() => {
    for (const worker of workers) if (!worker.isDead()) worker.process.kill("SIGKILL");
  }, STOP_TIMEOUT_MS);
  await Promise.all(exits);
  clearTimeout(timer);
}
