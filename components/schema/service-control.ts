// Pure: rules for service-control commands (start, stop, status, exists).
import * as z from "zod";
import { show, strictObject } from "./format";
import { powershellSafeString } from "./powershell-safe";

export const WINDOWS_SERVICE_NAME = "MailStoreGateway";

/** A Windows service name (letters, digits, spaces, dots, dashes, underscores; at most 256 characters).
 * @internal A zod schema: left out of the published declarations.
 */
export function windowsServiceName() {
  return powershellSafeString("serviceName", "a service name").refine((v) => v.length <= 256, {
    error: (iss) =>
      `${show(iss.input)} is longer than 256 characters, the limit of a Windows service name`,
  });
}

const command = (what: string) =>
  z
    .string({
      error: (iss) => `${show(iss.input)} is not a command; give the command that ${what}`,
    })
    .refine((v) => v.trim() !== "" && !/[\r\n\0]/.test(v), {
      error: (iss) => `${show(iss.input)} is not a command; give one line that ${what}`,
    });

/**
 * How the gateway service is stopped, started and checked on a host: one shell command each, run over
 * SSH. `status` exits 0 exactly when the service runs.
 * @internal A zod schema: left out of the published declarations.
 */
export function serviceControl(noun: string) {
  return strictObject(
    {
      start: command("starts the service (exit 0 when the start was accepted)"),
      stop: command("stops the service (exit 0 when the stop was accepted)"),
      status: command("exits 0 exactly when the service runs"),
      // Optional: a restore waits (bounded) until it exits 0 (the gateway's installer may still run).
      exists: command("exits 0 when the service is installed").optional(),
    },
    {
      noun,
      missing:
        'give {"start": CMD, "stop": CMD, "status": CMD} (status exits 0 exactly when the service runs)',
    },
  );
}
