import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";
import { ValidationFailed } from "./errors";

/**
 * New passwords must be hard to guess, judged by zxcvbn-ts (a well-kept port of Dropbox's
 * estimator: 40,000 common passwords, names, keyboard patterns, repeats, sequences, l33t), not by
 * character-class rules that "Password1!" passes. Score 3 of 4 ("safely unguessable" against an
 * online attack with rate limits) is the floor. The person's own name and email count against a
 * password that contains them. The message says why, in the estimator's words.
 */
export const MIN_PASSWORD_SCORE = 3;

// Built on first use: loading the dictionaries takes about 0.2 s, which a start-up need not pay.
let estimator: ZxcvbnFactory | undefined;
const estimatorOf = () =>
  (estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  }));

/** Throws ValidationFailed on `password` when it is too easy to guess for this person. */
export function requireStrongPassword(password: string, person: { name?: string; email?: string }): void {
  const inputs = [person.name, person.email, person.email?.split("@")[0]].filter((s): s is string => Boolean(s));
  const result = estimatorOf().check(password, inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const why = result.feedback.warning ?? "It would be easy to guess.";
  const tip = result.feedback.suggestions[0] ?? "A few unrelated words together make a strong password.";
  throw new ValidationFailed({ password: `Choose a harder password. ${why} ${tip}` });
}
