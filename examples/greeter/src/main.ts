import { type HandlerWrapper, createService, runService } from "@micro-ts/runtime";
import {
  createGreetedPublisher,
  registerGreetedSubscriber,
  registerGreeterHandler,
} from "../gen/greeter/v1/greeter.micro.js";
import { Greeter } from "./handlers/greeter.js";
import { GreetedLog } from "./subscribers/greeted.js";

/** Tells callers which process served them, so load sharing can be seen (and tested). */
const servedBy: HandlerWrapper = (next) => (request, context) => {
  context.responseMetadata["served-by"] = String(process.pid);
  return next(request, context);
};

// Runs on the embedded defaults (http transport, local registry and broker: one machine,
// no daemon). MICRO_TRANSPORT, MICRO_SERVER_ADDRESS, MICRO_REGISTRY, ... change that; a bad
// value is one line on stderr and exit code 1.
await runService(() => {
  const service = createService({ name: "greeter", version: "1.0.0", handlerWrappers: [servedBy] });
  registerGreeterHandler(service.server, new Greeter(createGreetedPublisher(service.client)));
  registerGreetedSubscriber(service.server, new GreetedLog((line) => console.log(line)));
  return service;
});
