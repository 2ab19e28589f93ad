import type { GreeterHandler } from "../../examples/greeter/gen/greeter/v1/greeter.micro.js";
import type { HelloRequest, HelloResponse } from "../../examples/greeter/gen/greeter/v1/greeter.js";

/** The work every server in the benchmark does per request: the same tiny string concat. */
export function answer(request: HelloRequest): HelloResponse {
  return { message: `Hello ${request.name}` };
}

/** A Greeter whose Hello only answers (the example's also publishes an event). */
export const benchGreeter: GreeterHandler = {
  hello: answer,
  async *stream() {},
  async upload() {
    return { names: [], message: "" };
  },
  async *chat() {},
};
