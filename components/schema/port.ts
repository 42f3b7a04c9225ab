// Pure: TCP port rules.
import * as z from "zod";
import { show } from "./format";

/** A TCP port: a whole number from 1 to 65535. */
export function tcpPort() {
  const message = (input: unknown) =>
    `${show(input)} is not a TCP port; use a whole number from 1 to 65535`;
  return z
    .int({ error: (iss) => message(iss.input) })
    .min(1, { error: (iss) => message(iss.input) })
    .max(65535, { error: (iss) => message(iss.input) });
}
