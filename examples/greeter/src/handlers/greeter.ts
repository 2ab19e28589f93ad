import { type HandlerContext, badRequest } from "@micro-ts/runtime";
import type { GreetedPublisher, GreeterHandler } from "../../gen/greeter/v1/greeter.micro.js";
import type {
  ChatMessage,
  HelloRequest,
  HelloResponse,
  StreamRequest,
  StreamResponse,
  UploadRequest,
  UploadResponse,
} from "../../gen/greeter/v1/greeter.js";

/** The largest `count` a Stream call may ask for, so one call cannot tie up a node. */
const MAX_STREAM_COUNT = 1000;

/** Greets people in each of the four rpc shapes; every Hello also publishes a Greeted event. */
export class Greeter implements GreeterHandler {
  readonly #greeted: GreetedPublisher;

  constructor(greeted: GreetedPublisher) {
    this.#greeted = greeted;
  }

  async hello(request: HelloRequest, context: HandlerContext): Promise<HelloResponse> {
    const name = requireName(request.name);
    // With its parent, the event carries the call's metadata (request ids, auth) along.
    await this.#greeted.publish({ name, atUnixMs: Date.now() }, { parent: context });
    return { message: `Hello ${name}` };
  }

  async *stream(request: StreamRequest, context: HandlerContext): AsyncIterable<StreamResponse> {
    const name = requireName(request.name);
    if (request.count < 0 || request.count > MAX_STREAM_COUNT) {
      throw badRequest(
        "greeter",
        `count must be between 0 and ${MAX_STREAM_COUNT}, got ${request.count}`,
      );
    }
    for (let index = 0; index < request.count && !context.signal.aborted; index++) {
      yield { message: `Hello ${name} (${index + 1}/${request.count})`, index };
    }
  }

  async upload(requests: AsyncIterable<UploadRequest>): Promise<UploadResponse> {
    const names: string[] = [];
    for await (const request of requests) names.push(requireName(request.name));
    return { names, message: names.length === 0 ? "Hello nobody" : `Hello ${names.join(", ")}` };
  }

  async *chat(requests: AsyncIterable<ChatMessage>): AsyncIterable<ChatMessage> {
    for await (const message of requests) yield { text: `Hello, you said: ${message.text}` };
  }
}

function requireName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === "") throw badRequest("greeter", "name is required");
  return trimmed;
}
