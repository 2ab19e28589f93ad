// A typed fetch wrapper over the API gateway, for the browser. The types are the
// generated client's (`<Service>Client` in gen/**/*.micro.ts), so a request or a response
// that does not fit the proto is a compile error; at run time it is one POST of JSON.

/** A generated client's method that takes one message and answers one: the unary rpcs. */
type UnaryMethod<M> = M extends (request: infer I, ...rest: never[]) => Promise<infer O>
  ? I extends AsyncIterable<unknown>
    ? never
    : (request: I) => Promise<O>
  : never;

/** The unary rpcs of a generated client `C`, called through the gateway. */
export type GatewayClient<C> = {
  readonly [K in keyof C as UnaryMethod<C[K]> extends never ? never : K]: UnaryMethod<C[K]>;
};

/** Where the gateway is and which service to call. */
export interface GatewayClientOptions {
  /** The gateway's URL; relative (`api`) resolves against the page, behind any proxy prefix. */
  readonly base: string;
  /** The registered service name, e.g. `billing`. */
  readonly service: string;
  /** The proto service, e.g. `Billing`: endpoints are `<protoService>.<Method>`. */
  readonly protoService: string;
}

/** A call the gateway or the service refused: a micro error with its HTTP status. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly id: string,
  ) {
    super(`${status}: ${detail}`);
    this.name = "GatewayError";
  }
}

/**
 * A client whose methods POST to `<base>/<service>/<protoService>/<Method>`: the method
 * `call` of the generated client is the rpc `Call`.
 */
export function createGatewayClient<C>(options: GatewayClientOptions): GatewayClient<C> {
  const base = options.base.replace(/\/$/, "");
  const call = async (method: string, request: unknown): Promise<unknown> => {
    const rpc = method.charAt(0).toUpperCase() + method.slice(1);
    const url = `${base}/${encodeURIComponent(options.service)}/${options.protoService}/${rpc}`;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(request),
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = (body ?? {}) as { detail?: string; id?: string };
      throw new GatewayError(response.status, error.detail ?? response.statusText, error.id ?? "");
    }
    return body;
  };
  return new Proxy({} as GatewayClient<C>, {
    get(_target, method) {
      // Not a thenable: `await client` must not call an rpc named `then`.
      if (typeof method !== "string" || method === "then") return undefined;
      return (request: unknown) => call(method, request);
    },
  });
}
