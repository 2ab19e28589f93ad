// Child process of close.test.ts: one stream over h2c to the address in argv, then
// close() as the last thing the process does. Exits 0 only if close() resolved.
import { createHttpTransport } from "../../../src/index.js";
import { CountRequest, EchoDescriptor } from "../../fixtures/echo-descriptor.js";

const address = process.argv[2] as string;
const client = createHttpTransport().client();
async function* one() {
  yield CountRequest.fromPartial({ upTo: 2 });
}
for await (const _ of client.stream(address, EchoDescriptor.methods.Count, one(), {
  metadata: {},
  deadline: undefined,
  signal: undefined,
})) {
  // drain
}
await client.close();
console.log("closed");
