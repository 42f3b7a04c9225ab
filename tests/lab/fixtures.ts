/** The lab pieces tests share, one concept a file: SSH keys, the SMTP dialogue, the POP3 server, signed zones, run prefixes. */
export * from "./ssh-keys";
export * from "./smtp-dialogue";
export * from "./pop3-lab";
export * from "./signed-zone";
export * from "./run-prefix";
