import { describe, expect, it } from "vitest";
import { UsersDescriptor } from "./gen/http/v1/http.micro.js";

describe("http snapshot", () => {
  it("carries every verb, custom, body, response_body and flattened additional bindings", () => {
    const http = Object.fromEntries(
      Object.entries(UsersDescriptor.methods).map(([name, m]) => [name, m.endpoint.http]),
    );
    expect(http).toEqual({
      GetUser: [{ method: "GET", path: "/v1/{name=users/*}" }],
      CreateUser: [{ method: "POST", path: "/v1/users", body: "user" }],
      ReplaceUser: [{ method: "PUT", path: "/v1/{name=users/*}", body: "*" }],
      UpdateUser: [{ method: "PATCH", path: "/v1/{user.name=users/*}", body: "user" }],
      DeleteUser: [{ method: "DELETE", path: "/v1/{name=users/*}" }],
      HeadUser: [{ method: "HEAD", path: "/v1/{name=users/*}" }],
      GetUserName: [
        { method: "GET", path: "/v1/{name=users/*}/name", responseBody: "display_name" },
        { method: "GET", path: "/v2/{name=users/*}/name", responseBody: "display_name" },
        { method: "POST", path: "/v2/{name=users/*}:name", body: "*" },
      ],
      NoHttp: [],
    });
  });

  it("describes fields by ts-proto property name, oneof members and maps included", () => {
    expect(UsersDescriptor.methods.GetUser.endpoint.response).toEqual({
      type: "http.v1.User",
      fields: [
        { name: "name", type: "string", kind: "scalar" },
        { name: "displayName", type: "string", kind: "scalar" },
        { name: "labels", type: "map<string, string>", kind: "map" },
        { name: "role", type: "http.v1.Role", kind: "enum" },
        { name: "email", type: "string", kind: "scalar" },
        { name: "phone", type: "string", kind: "scalar" },
        { name: "age", type: "int32", kind: "scalar" },
      ],
    });
    expect(UsersDescriptor.methods.UpdateUser.endpoint.request.fields[1]).toEqual({
      name: "updateMask",
      type: "string",
      kind: "scalar",
      repeated: true,
    });
  });
});
