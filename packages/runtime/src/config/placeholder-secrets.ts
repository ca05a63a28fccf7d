/**
 * Values of JWT_SECRET that ship in this repository as examples (`deploy/k8s/base/secret.example.yaml`).
 * Anyone can read them, so a deployment started with one signs tokens anyone can forge; the
 * config test reads every JWT_SECRET in `.env.example` and `deploy/` and checks each is here.
 */
const SHIPPED_PLACEHOLDERS: ReadonlySet<string> = new Set(["change-me-to-at-least-32-random-characters-0000"]);

/** Words that mark an example value, so an edited copy of a placeholder is refused too. */
const PLACEHOLDER_WORDS = /change[-_ ]?me|replace[-_ ]?me|placeholder|example|your[-_ ]?secret/i;

/** Whether a secret is one of the repository's placeholders, or reads like one. */
export function isPlaceholderSecret(value: string): boolean {
  return SHIPPED_PLACEHOLDERS.has(value.trim()) || PLACEHOLDER_WORDS.test(value);
}
