// I/O: stack files read as the Pulumi CLI reads them, and the stack's top-level configuration keys checked.
export { assertStackConfig, type StackConfigCheck } from "./check";
export { AWS_REGION, STACK_CONFIG_KEYS, stackConfigProblems } from "./keys";
export { readStackFile, StackFileError, type StackFileConfig } from "./read";
