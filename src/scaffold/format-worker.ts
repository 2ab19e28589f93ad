import { Worker } from "node:worker_threads";

/** What the worker answers for one file. */
interface Reply {
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

// Plain JavaScript, so the worker runs the same from dist/ and from the sources under tsx.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
// prettier's CommonJS entry (what require.resolve finds): its API is the default export.
const prettier = import(workerData.prettier).then((module) => module.default ?? module);
parentPort.on("message", async ({ id, path, text }) => {
  try {
    const formatted = await (await prettier).format(text, { filepath: path });
    parentPort.postMessage({ id, text: formatted });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

/**
 * prettier's `format` on a worker thread: loading prettier's parsers and printing is the
 * scaffolder's largest CPU cost, and on a thread it runs beside the code generation (on the
 * main thread) instead of before it. The worker starts on the first call and ends once
 * nothing is pending, so it never keeps a process alive.
 */
export function createFormatWorker(
  prettierUrl: string,
): (path: string, text: string) => Promise<string> {
  let worker: Worker | undefined;
  let next = 0;
  const pending = new Map<
    number,
    { resolve: (text: string) => void; reject: (error: Error) => void }
  >();
  const start = (): Worker => {
    const started = new Worker(SOURCE, { eval: true, workerData: { prettier: prettierUrl } });
    started.on("message", (reply: Reply) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error !== undefined) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.text ?? "");
      if (pending.size === 0 && worker === started) {
        worker = undefined;
        void started.terminate();
      }
    });
    started.on("error", (error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
      if (worker === started) worker = undefined;
    });
    return started;
  };
  return (path, text) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker ??= start();
      worker.postMessage({ id, path, text });
    });
}
