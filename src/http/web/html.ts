/**
 * The pages' HTML: server-rendered, escaped at every interpolation, working without JavaScript. The layout
 * links only this server's stylesheet and script (the Content-Security-Policy allows nothing else), labels
 * every field, and fits a phone's width.
 */

/** A value placed into HTML text or an attribute. */
export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Markup built from escaped parts; a plain string in `html` is escaped, a `Html` is kept. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

type Part = string | number | Html | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escape(String(part));
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name`. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let text = strings[0] ?? '';
  for (let index = 0; index < parts.length; index++) text += render(parts[index]) + (strings[index + 1] ?? '');
  return new Html(text);
}

export interface Layout {
  readonly title: string;
  /** The signed-in user, for the navigation; undefined on the sign-in pages. */
  readonly userName?: string | undefined;
  readonly csrf?: string | undefined;
  /** A message shown above the content: an error (role=alert) or a notice. */
  readonly message?: { readonly kind: 'error' | 'notice'; readonly text: string } | undefined;
}

export function page(layout: Layout, body: Html): string {
  const nav =
    layout.userName === undefined || layout.csrf === undefined
      ? html``
      : html`<nav aria-label="Account">
  <a href="/account">${layout.userName}</a>
  <a href="/account/api-keys">API keys</a>
  <form method="post" action="/account/sign-out">${csrfField(layout.csrf)}<button type="submit" class="link">Sign out</button></form>
</nav>`;
  const message =
    layout.message === undefined
      ? html``
      : layout.message.kind === 'error'
        ? html`<p class="message error" role="alert">${layout.message.text}</p>`
        : html`<p class="message notice" role="status">${layout.message.text}</p>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${layout.title} · Pallet</title>
<link rel="stylesheet" href="/static/pallet.css">
<script src="/static/pallet.js" defer></script>
</head>
<body>
<header><a class="brand" href="/">Pallet</a>${nav}</header>
<main>
<h1>${layout.title}</h1>
${message}
${body}
</main>
</body>
</html>
`.text;
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}
