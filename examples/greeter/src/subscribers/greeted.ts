import type { MessageContext } from "@micro-ts/runtime";
import type { GreetedSubscriber } from "../../gen/greeter/v1/greeter.micro.js";
import type { Greeted } from "../../gen/greeter/v1/greeter.js";

/** Logs every greeting, from whichever instance published it. */
export class GreetedLog implements GreetedSubscriber {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  handle(message: Greeted, context: MessageContext): void {
    this.#write(`greeted ${message.name} (topic ${context.topic})`);
  }
}
