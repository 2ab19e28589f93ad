import type { HandlerContext } from "@micro-ts/runtime";
import { describe, expect, it } from "vitest";
import { createRecordingClient, createRecordingServer } from "../fakes.js";
import { Item } from "./gen/naming/other/other.js";
import {
  CatalogDescriptor,
  createReservedClient,
  ItemDescriptor,
  Outer_InnerTopic,
  PromiseTopic,
  registerReservedHandler,
  type ReservedHandler,
} from "./gen/naming/v1/naming.micro.js";
import {
  DateMessage,
  ItemClient,
  Outer,
  Outer_Inner,
  Promise as PromiseMessage,
  type Outer_Inner_Deep,
  type snakeCase,
} from "./gen/naming/v1/naming.js";
import { CatalogDescriptor as CatalogV2Descriptor } from "./gen/naming/v2/naming.micro.js";
import { Outer as OuterV2 } from "./gen/naming/v2/naming.js";

const context = {} as HandlerContext;

/** Every escaped name is a plain class method: no clash with constructor, then, toString. */
class Reserved implements ReservedHandler {
  readonly seen: string[] = [];
  private echo(name: string, request: Outer): Outer {
    this.seen.push(name);
    return request;
  }
  delete_(r: Outer) {
    return this.echo("delete_", r);
  }
  constructor_(r: Outer) {
    return this.echo("constructor_", r);
  }
  then_(r: Outer) {
    return this.echo("then_", r);
  }
  toString_(r: Outer) {
    return this.echo("toString_", r);
  }
  getFoo(r: Outer) {
    return this.echo("getFoo", r);
  }
  getFoo_(r: Outer) {
    return this.echo("getFoo_", r);
  }
  getFoo__(r: Outer) {
    return this.echo("getFoo__", r);
  }
  lowercase(r: Outer_Inner): Outer_Inner_Deep {
    return { value: String(r.deep?.value) };
  }
  httpStatus(r: snakeCase): DateMessage {
    return { unix: r.snakeField.length };
  }
}

describe("naming snapshot", () => {
  it("maps each proto method to its escaped handler method", () => {
    const server = createRecordingServer();
    const handler = new Reserved();
    registerReservedHandler(server, handler);
    const impl = server.services[0]!.implementation;
    const outer: Outer = { inner: undefined, deeps: [] };
    for (const name of [
      "Delete",
      "constructor",
      "Then",
      "ToString",
      "GetFoo",
      "getFoo",
      "get_foo",
    ]) {
      (impl[name] as (r: Outer, c: HandlerContext) => Outer)(outer, context);
    }
    expect(handler.seen).toEqual([
      "delete_",
      "constructor_",
      "then_",
      "toString_",
      "getFoo",
      "getFoo_",
      "getFoo__",
    ]);
    expect(
      (impl["HTTPStatus"] as (r: snakeCase, c: HandlerContext) => DateMessage)(
        { snakeField: "abc" },
        context,
      ),
    ).toEqual({ unix: 3 });
  });

  it("keeps a client object that is not thenable", async () => {
    const client = createRecordingClient((_m, r) => r);
    const reserved = createReservedClient(client, "reserved");
    expect("then" in reserved).toBe(false);
    // Awaiting the client must give the client itself back, not call an rpc.
    expect(await Promise.resolve(reserved)).toBe(reserved);
    await reserved.getFoo__({ inner: undefined, deeps: [] });
    expect(client.calls[0]).toMatchObject({ method: { name: "get_foo" } });
  });

  it("uses ts-proto's fns for nested, renamed and aliased messages", () => {
    expect(ItemDescriptor.methods.Get.input).toBe(Item);
    expect(ItemDescriptor.methods.Get.output).toBe(ItemClient);
    expect(Outer_InnerTopic.type).toBe(Outer_Inner);
    expect(Outer_InnerTopic.typeName).toBe("naming.v1.Outer.Inner");
    expect(PromiseTopic.type).toBe(PromiseMessage);
  });

  it("keeps same-named services of two packages apart", () => {
    expect(CatalogDescriptor.typeName).toBe("naming.v1.Catalog");
    expect(CatalogV2Descriptor.typeName).toBe("naming.v2.Catalog");
    expect(CatalogV2Descriptor.methods.List.input).toBe(Outer);
    expect(CatalogV2Descriptor.methods.List.output).toBe(OuterV2);
    expect(CatalogV2Descriptor.methods.List.endpoint.path).toBe("/naming.v2.Catalog/List");
  });
});
