import { describe, expect, it } from "vitest";
import { sanitizeMessageHtml } from "./render-body";

const none = new Map<string, string>();

describe("sanitizeMessageHtml", () => {
  it("removes scripts, handlers, forms, frames, objects, meta refresh and javascript: links", () => {
    const { html } = sanitizeMessageHtml(
      `<script>alert(1)</script><p onclick="x()">Hi</p><img src=x onerror=alert(1)><form action="https://e.test"><input name=a><button>Go</button></form>
       <iframe src="https://e.test"></iframe><object data="x"></object><embed src="x"><meta http-equiv="refresh" content="0;url=https://e.test">
       <a href="javascript:alert(1)">j</a><svg onload="x()"></svg><base href="https://e.test/"><link rel=stylesheet href="https://e.test/a.css">`,
      { allowRemote: false, inlineImages: none },
    );
    for (const bad of [
      "<script",
      "onclick",
      "onerror",
      "<form",
      "<input",
      "<iframe",
      "<object",
      "<embed",
      "<meta",
      "javascript:",
      "<svg",
      "<base",
      "<link",
    ]) {
      expect(html.toLowerCase(), bad).not.toContain(bad);
    }
    expect(html).toContain("Hi");
  });

  it("blocks remote images and CSS urls unless allowed, and always drops @import", () => {
    const source = `<style>@import url(https://e.test/i.css); .a{background:url('https://e.test/bg.png')}</style>
      <div style="background-image:url(https://e.test/s.png)">x</div><img src="https://e.test/p.png" alt="pixel">`;
    const blocked = sanitizeMessageHtml(source, { allowRemote: false, inlineImages: none });
    expect(blocked.remoteBlocked).toBe(3);
    expect(blocked.html).not.toContain("https://e.test");
    expect(blocked.html).toContain('alt="[remote image: pixel]"');
    const allowed = sanitizeMessageHtml(source, { allowRemote: true, inlineImages: none });
    expect(allowed.html).toContain('src="https://e.test/p.png"');
    expect(allowed.html).not.toContain("@import");
  });

  it("embeds cid: images from the message and keeps only image data: URLs", () => {
    const { html } = sanitizeMessageHtml(
      `<img src="cid:logo@x"><img src="cid:missing@x"><img src="data:image/png;base64,AAAA"><img src="data:text/html;base64,PHNjcmlwdD4=">`,
      { allowRemote: false, inlineImages: new Map([["logo@x", "data:image/png;base64,QUJD"]]) },
    );
    expect(html).toContain('src="data:image/png;base64,QUJD"');
    expect(html).toContain('src="data:image/png;base64,AAAA"');
    expect(html).not.toContain("text/html");
    expect(html).not.toContain("cid:");
  });

  it("opens links outside the portal without a referrer", () => {
    const { html } = sanitizeMessageHtml('<a href="https://e.test/x">x</a>', {
      allowRemote: false,
      inlineImages: none,
    });
    expect(html).toBe('<a href="https://e.test/x" target="_blank" rel="noopener noreferrer nofollow">x</a>');
  });
});
