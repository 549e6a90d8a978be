/**
 * MailSender over SMTP with nodemailer, from `smtpUrl` (`smtp://user:pass@host:587`, or `smtps://` for
 * TLS from the first byte; `smtp://` upgrades with STARTTLS when the server offers it). Loaded only when
 * mail is configured, so a server without it never imports nodemailer.
 * https://nodemailer.com/smtp/
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { MailMessage, MailSender } from '../app/notifications/ports.ts';

/** A server that does not answer in this time counts as down: the delivery is retried later. */
const SMTP_TIMEOUT_MS = 15_000;

export class SmtpMailSender implements MailSender {
  private readonly transport: Transporter;

  constructor(smtpUrl: string) {
    const url = new URL(smtpUrl);
    this.transport = createTransport({
      host: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      secure: url.protocol === 'smtps:',
      auth: url.username === '' ? undefined : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  }

  async send(from: string, message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
  }

  close(): void {
    this.transport.close();
  }
}
