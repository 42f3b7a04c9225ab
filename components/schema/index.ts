// Pure: rule pieces shared by the pool's arguments, the stack configuration and the replication inventory, one
// concept per file. Each piece is a zod schema (or a function that makes one) whose messages name the bad
// value and the fix; `problemsOf` turns a failed parse into one line per problem, prefixed by its path.
export * from "./format";
export * from "./host-name";
export * from "./cidr";
export * from "./ipv4-address";
export * from "./port";
export * from "./revision";
export * from "./dns-ttl";
export * from "./powershell-safe";
export * from "./data-directory";
export * from "./ssh";
export * from "./service-control";
export * from "./replicated-host";
export * from "./pulumi-input";
export * from "./iam-role-arn";
