import sanitizeHtml from "sanitize-html";

/**
 * Message bodies are hostile input. Three layers keep them inert; each one alone would stop a script:
 * 1. this sanitiser (server-side, sanitize-html): an allow-list of formatting tags and attributes; scripts,
 *    event handlers, forms, frames, objects, meta refresh and `javascript:` URLs are removed;
 * 2. the document is served with its own Content-Security-Policy (lib/security/csp.ts): nothing loads
 *    except inline styles and embedded images, and `sandbox` without allow-scripts;
 * 3. the portal shows it in an `<iframe sandbox>` without allow-scripts or allow-same-origin, so even a
 *    script that got through could neither run nor reach the portal's origin.
 * Remote images (tracking pixels) are removed here and blocked by the policy, unless the reader asked to
 * load remote content for this message.
 */
export type TRenderedBody = { html: string; remoteBlocked: number };

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  "img",
  "font",
  "center",
  "big",
  "tt",
  "strike",
  "style",
];

const GLOBAL_ATTRIBUTES = [
  "style",
  "class",
  "dir",
  "lang",
  "title",
  "align",
  "valign",
  "width",
  "height",
  "bgcolor",
  "color",
  "border",
  "cellpadding",
  "cellspacing",
  "colspan",
  "rowspan",
  "nowrap",
  "role",
];

const IMAGE_DATA_URL = /^data:image\/(png|gif|jpeg|jpg|webp|bmp);base64,[a-z0-9+/=\s]+$/i;
const REMOTE_URL_IN_CSS = /url\(\s*['"]?\s*(https?:|\/\/)[^)<]*\)/gi;
const STYLE_BLOCK = /(<style\b[^>]*>)([\s\S]*?)(<\/style\s*>)/gi;
const CSS_IMPORT = /@import[^;]*;?/gi;

/** Sanitises a message's HTML (or mailparser's text-as-HTML) into the inner HTML of the body document. */
export function sanitizeMessageHtml(
  html: string,
  opts: { allowRemote: boolean; inlineImages: ReadonlyMap<string, string> },
): TRenderedBody {
  let remoteBlocked = 0;
  // @import never stays (it could pull in remote CSS); remote url() references only when the reader allowed
  // remote content.
  const cleanCss = (css: string) =>
    opts.allowRemote
      ? css.replace(CSS_IMPORT, "")
      : css.replace(CSS_IMPORT, "").replace(REMOTE_URL_IN_CSS, () => {
          remoteBlocked++;
          return "none";
        });
  // sanitize-html passes <style> text through untouched, so it is cleaned first. Removing text inside a
  // raw-text element cannot create markup.
  const source = html.replace(
    STYLE_BLOCK,
    (_m, open: string, css: string, close: string) => `${open}${cleanCss(css)}${close}`,
  );
  const out = sanitizeHtml(source, {
    allowedTags: ALLOWED_TAGS,
    // <style> is allowed on purpose: mail layouts need it, CSS cannot run code, and what it could load
    // (url(), @import) is removed below and blocked by the document's policy.
    allowVulnerableTags: true,
    allowedAttributes: {
      "*": GLOBAL_ATTRIBUTES,
      a: ["href", "name", "target", "rel"],
      img: ["src", "alt", "width", "height"],
      font: ["face", "size", "color"],
      ol: ["start", "type"],
      td: ["abbr", "headers", "scope"],
      th: ["abbr", "headers", "scope"],
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: ["data", "http", "https", "cid"] },
    allowProtocolRelative: false,
    disallowedTagsMode: "discard",
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        // Links open outside the portal, without telling the site where the reader came from.
        attribs: { ...attribs, target: "_blank", rel: "noopener noreferrer nofollow" },
      }),
      img: (tagName, attribs) => {
        const src = (attribs.src ?? "").trim();
        const next = { ...attribs };
        if (/^cid:/i.test(src)) {
          const inline = opts.inlineImages.get(decodeURIComponent(src.slice(4)).replace(/^<|>$/g, ""));
          if (inline) next.src = inline;
          else delete next.src;
        } else if (/^data:/i.test(src)) {
          if (!IMAGE_DATA_URL.test(src)) delete next.src;
        } else if (/^https?:/i.test(src)) {
          if (!opts.allowRemote) {
            remoteBlocked++;
            delete next.src;
            next.alt = attribs.alt ? `[remote image: ${attribs.alt}]` : "[remote image]";
          }
        } else {
          delete next.src;
        }
        return { tagName, attribs: next };
      },
      "*": (tagName, attribs) =>
        attribs.style
          ? { tagName, attribs: { ...attribs, style: cleanCss(attribs.style) } }
          : { tagName, attribs },
    },
  });
  return { html: out, remoteBlocked };
}

/** The complete body document served into the message page's iframe. */
export function bodyDocument(innerHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Message body</title>
<style>
  html { color-scheme: light; }
  body { margin: 16px; font: 15px/1.5 "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif; color: #0f172a; overflow-wrap: anywhere; }
  img { max-width: 100%; height: auto; }
  pre { white-space: pre-wrap; }
  table { max-width: 100%; }
</style></head>
<body>${innerHtml}</body></html>`;
}
