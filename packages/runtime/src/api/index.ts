// @micro-ts/runtime/api: the HTTP API gateway. A subpath of its own so services that do not
// serve HTTP/JSON to browsers never load it.
export {
  type ApiGateway,
  type ApiGatewayOptions,
  type ApiRequest,
  createApiGateway,
} from "./api-gateway.js";
export type { Route } from "./api-route.js";
export type { CorsOptions } from "./cors.js";
export { httpStatusOf } from "./http-error.js";
export { jsonMethod } from "./json-method.js";
export type { OpenApiDocument } from "./openapi.js";
export { type PathTemplate, PathTemplateError, parsePathTemplate } from "./path-template.js";
export type { ServiceIndex } from "./service-index.js";
