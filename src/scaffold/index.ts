// The scaffolder's core: `runCreate` is the whole command (for bin/create-micro.ts and
// `micro new`); `plan` and `writeProject` are its pure and its writing halves.
export { runCreate, type CreateIo } from "./run-create.js";
export { parseCreateArgs, helpText, UsageError, type CreateArgs } from "./args.js";
export {
  QUESTIONS,
  TEMPLATES,
  REGISTRIES,
  BROKERS,
  TRANSPORTS,
  checkAnswer,
  type Question,
  type CreateAnswers,
} from "./options.js";
export { checkProjectName, projectNames, kebabCase, type ProjectNames } from "./names.js";
export { plan, type PlanOptions, type PlannedFile } from "./plan.js";
export { planProject } from "./plan-project.js";
export { checkTarget, writeProject, TargetError, type WriteOptions } from "./write.js";
export { readProtos, ProtoError } from "./read-protos.js";
export type { ProtoModel, ServiceModel, RpcModel, TopicModel, TypeRef } from "./proto-model.js";
export { loadTemplates, loadFormatter } from "./templates.js";
export { findToolchain, checkToolchain, type Toolchain } from "./toolchain.js";
export { generateCode, generateFiles } from "./generate-in-process.js";
export { detectPackageManager, type PackageManager } from "./package-manager.js";
