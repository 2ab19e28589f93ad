import type { MessageType, Registry, Service, ServiceDescriptor } from "@micro-ts/runtime";
import { createHttpTransport, createMemoryBroker, createService } from "@micro-ts/runtime";

type Message = Record<string, unknown>;

/** JSON in both encodings: the stand-in needs no generated code. */
const json: MessageType<Message> = {
  encode: (message) => ({ finish: () => new TextEncoder().encode(JSON.stringify(message)) }),
  decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as Message,
  fromJSON: (object) => object as Message,
  toJSON: (message) => message,
};

const field = (name: string) => ({ name, type: "string", kind: "scalar" }) as const;

/** `shop.v1.Shop.Call`, as the service template's example contract declares it. */
const Shop: ServiceDescriptor = {
  typeName: "shop.v1.Shop",
  name: "Shop",
  methods: {
    Call: {
      service: "shop.v1.Shop",
      name: "Call",
      kind: "unary",
      input: json,
      output: json,
      endpoint: {
        name: "Shop.Call",
        path: "/shop.v1.Shop/Call",
        kind: "unary",
        request: { type: "shop.v1.CallRequest", fields: [field("name")] },
        response: { type: "shop.v1.CallResponse", fields: [field("message")] },
        http: [],
      },
    },
  },
};

/**
 * A real `shop` service (http transport) answering `Call` as the scaffolded service does:
 * the backend a scaffolded `shop-web` app calls.
 */
export async function startShop(registry: Registry): Promise<Service> {
  const service = createService({
    name: "shop",
    registry,
    transport: createHttpTransport(),
    broker: createMemoryBroker(),
    env: {},
  });
  service.server.handle(Shop, {
    Call: (request: Message) => ({ message: `Hello ${String(request["name"])} from shop` }),
  });
  await service.start();
  return service;
}
