import type {
  HandlerContext,
  MessageType,
  Registry,
  Service,
  ServiceDescriptor,
} from "@micro-ts/runtime";
import { createHttpTransport, createMemoryBroker, createService } from "@micro-ts/runtime";

type Message = Record<string, unknown>;

/** JSON in both encodings: a test service needs no generated code. */
const json: MessageType<Message> = {
  encode: (message) => ({ finish: () => new TextEncoder().encode(JSON.stringify(message)) }),
  decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as Message,
  fromJSON: (object) => object as Message,
  toJSON: (message) => message,
};

const text = { type: "string", kind: "scalar" } as const;

/** `echo.v1.Echo` with one rpc, `Say`, also routed by `GET /v1/echo/{text}`. */
const Echo: ServiceDescriptor = {
  typeName: "echo.v1.Echo",
  name: "Echo",
  methods: {
    Say: {
      service: "echo.v1.Echo",
      name: "Say",
      kind: "unary",
      input: json,
      output: json,
      endpoint: {
        name: "Echo.Say",
        path: "/echo.v1.Echo/Say",
        kind: "unary",
        request: { type: "echo.v1.SayRequest", fields: [{ name: "text", ...text }] },
        response: { type: "echo.v1.SayResponse", fields: [{ name: "text", ...text }] },
        http: [{ method: "GET", path: "/v1/echo/{text}" }],
      },
    },
  },
};

/** Starts a real `echo` service (http transport) registered in `registry`. */
export async function startEcho(registry: Registry): Promise<Service> {
  const service = createService({
    name: "echo",
    registry,
    transport: createHttpTransport(),
    broker: createMemoryBroker(),
    env: {},
  });
  service.server.handle(Echo, {
    Say: (request: Message, context: HandlerContext) => ({
      text: `${String(request["text"])}${context.metadata["x-authenticated"] ? " (authenticated)" : ""}`,
    }),
  });
  await service.start();
  return service;
}
