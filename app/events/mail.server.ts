import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The event's id: the Message-ID, so a repeat is recognisably the same message. */
  eventId: string;
  /** Names the .eml file (sortable by time). */
  at: string;
  attachments?: Array<{ filename: string; content: Buffer; cid?: string; contentType?: string }>;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Where mail goes, for the start-up log: never SMTP_URL itself (it may carry a password). */
  readonly where: string;
}

/**
 * E-mail through nodemailer (the well-kept Node mailer: MIME, encodings, inline images, SMTP):
 * to SMTP_URL when set, otherwise written as `.eml` files into `dir` for a developer to open
 * (`<time>-<event id>.eml`: a repeat of an event rewrites the same file, never a second one).
 * Every message has a plain-text and an HTML part.
 */
export function createMailer(options: { smtpUrl?: string; dir: string; from: string }): Mailer {
  const messageId = (eventId: string) => `<${eventId}@holdfast.events>`;
  if (options.smtpUrl) {
    // Bounded: a mail server that hangs fails the delivery (tried again later), never holds it for minutes.
    const smtp = new URL(options.smtpUrl);
    for (const [name, ms] of [
      ["connectionTimeout", "10000"],
      ["greetingTimeout", "10000"],
      ["socketTimeout", "30000"],
    ])
      if (!smtp.searchParams.has(name)) smtp.searchParams.set(name, ms);
    const transport = nodemailer.createTransport(smtp.toString());
    return {
      where: `SMTP (${new URL(options.smtpUrl).host})`,
      async send(message) {
        await transport.sendMail({ ...fields(message), from: options.from, messageId: messageId(message.eventId) });
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    where: `files in ${options.dir}`,
    async send(message) {
      const info = await transport.sendMail({ ...fields(message), from: options.from, messageId: messageId(message.eventId) });
      await mkdir(options.dir, { recursive: true });
      const name = `${message.at.replace(/[:.]/g, "-")}-${message.eventId}.eml`;
      // Written aside, then moved in: a reader never sees half a message.
      const partial = path.join(options.dir, `.${name}.part`);
      await writeFile(partial, info.message as Buffer);
      await rename(partial, path.join(options.dir, name));
    },
  };
}

const fields = (message: MailMessage) => ({
  to: message.to,
  subject: message.subject,
  text: message.text,
  html: message.html,
  attachments: message.attachments,
  date: new Date(message.at),
});
