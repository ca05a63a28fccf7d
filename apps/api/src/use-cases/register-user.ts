import { EmailTakenError } from "@llm-chat/store";
import { hash } from "@node-rs/argon2";
import type { AppDeps } from "../deps.js";
import { bodyField, DomainError } from "./domain-error.js";

/** Creates an account and its first API key; an email has one account at most. */
export async function registerUser(deps: AppDeps, email: string, password: string) {
  // argon2id with the library's defaults (19 MiB, t=2, p=1): OWASP's recommended minimum.
  const passwordHash = await hash(password);
  try {
    return await deps.store.users.register(email, passwordHash);
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
    throw new DomainError(
      "email_taken",
      "an account with this email exists",
      bodyField("/email", "already registered"),
    );
  }
}
