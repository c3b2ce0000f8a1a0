/**
 * What the XSD check in `npm run check` cannot see (shared/schemas/office-addin-manifest/README.md,
 * "What the schema does not check"): dangling resids, http URLs, the Id, and URLs that point at
 * files the add-in build does not produce.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADDIN_ID } from "../src/addin-info";
import { buildAddin } from "./build-addin";
import { REPO_ROOT } from "./config";
import { MANIFEST_PLACEHOLDER_ORIGIN, rewriteManifestOrigin } from "./manifest";
import { pngSize } from "./png";

const BT = "http://schemas.microsoft.com/office/officeappbasictypes/1.0";
const MANIFEST_TEXT = readFileSync(path.join(REPO_ROOT, "manifest.xml"), "utf8");

function parse(xml: string) {
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`manifest.xml ${level}: ${message}`);
    },
  }).parseFromString(xml, "text/xml");
}

function allElements(root: Element): Element[] {
  const out: Element[] = [];
  const walk = (el: Element) => {
    out.push(el);
    for (let i = 0; i < el.childNodes.length; i++) {
      const child = el.childNodes[i];
      if (child && child.nodeType === child.ELEMENT_NODE) walk(child as Element);
    }
  };
  walk(root);
  return out;
}

/** Every URL in the manifest: DefaultValue attributes that are URLs, and AppDomain texts. */
function manifestUrls(xml: string): { where: string; url: string }[] {
  const doc = parse(xml);
  const urls: { where: string; url: string }[] = [];
  for (const el of allElements(doc.documentElement!)) {
    for (let i = 0; i < el.attributes.length; i++) {
      const attr = el.attributes[i]!;
      // namespace declarations are identifiers, not fetched URLs
      if (attr.name === "xmlns" || attr.name.startsWith("xmlns:")) continue;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(attr.value))
        urls.push({ where: `${el.tagName}@${attr.name}`, url: attr.value });
    }
    if (el.localName === "AppDomain") urls.push({ where: "AppDomain", url: el.textContent?.trim() ?? "" });
  }
  return urls;
}

// Which resource list a resid may point into, by the element that carries the resid.
const RESOURCE_KIND_OF: Record<string, string> = {
  Image: "Images",
  SourceLocation: "Urls",
  FunctionFile: "Urls",
  Label: "ShortStrings",
  Title: "ShortStrings",
  Description: "LongStrings",
};

describe("manifest.xml", () => {
  const doc = parse(MANIFEST_TEXT);
  const elements = allElements(doc.documentElement!);

  it("has the add-in's stable GUID as its Id", () => {
    const id = elements.find((el) => el.localName === "Id")?.textContent?.trim();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
    expect(id).toBe(ADDIN_ID);
  });

  it("resolves every resid to a resource of the right kind, and uses every resource", () => {
    const resources = new Map<string, string>();
    for (const list of ["Images", "Urls", "ShortStrings", "LongStrings"]) {
      for (const group of Array.from(doc.getElementsByTagNameNS(BT, list))) {
        for (const entry of allElements(group).slice(1)) {
          const id = entry.getAttribute("id");
          expect(id, `${list} entry without id`).toBeTruthy();
          expect(resources.has(id!), `duplicate resource id ${id}`).toBe(false);
          resources.set(id!, list);
        }
      }
    }
    expect(resources.size).toBeGreaterThan(0);

    const used = new Set<string>();
    const refs = elements.filter((el) => el.hasAttribute("resid"));
    expect(refs.length).toBeGreaterThan(0);
    for (const el of refs) {
      const resid = el.getAttribute("resid")!;
      const expected = RESOURCE_KIND_OF[el.localName ?? ""];
      expect(expected, `no rule for resid on <${el.tagName}>`).toBeDefined();
      expect(resources.get(resid), `<${el.tagName} resid="${resid}">`).toBe(expected);
      used.add(resid);
    }
    expect([...resources.keys()].filter((id) => !used.has(id))).toEqual([]);
  });

  it("uses only https URLs, all on the placeholder origin the build rewrites", () => {
    const urls = manifestUrls(MANIFEST_TEXT);
    expect(urls.length).toBeGreaterThan(5);
    for (const { where, url } of urls) {
      expect(url, where).toMatch(/^https:\/\//);
      expect(new URL(url).origin, where).toBe(MANIFEST_PLACEHOLDER_ORIGIN);
    }
  });

  it("declares ReadItem, a read-mode message rule and a ShowTaskpane ribbon button", () => {
    expect(elements.find((el) => el.localName === "Permissions")?.textContent).toBe("ReadItem");
    const xsiType = (el: Element) => el.getAttribute("xsi:type");
    expect(elements.some((el) => xsiType(el) === "ItemIs" && el.getAttribute("FormType") === "Read")).toBe(
      true,
    );
    expect(elements.some((el) => xsiType(el) === "MessageReadCommandSurface")).toBe(true);
    expect(elements.some((el) => xsiType(el) === "ShowTaskpane")).toBe(true);
  });
});

describe("rewriteManifestOrigin", () => {
  it("moves every URL to the operator's origin", () => {
    const urls = manifestUrls(rewriteManifestOrigin(MANIFEST_TEXT, "https://coffer.example.com/"));
    expect(urls.every(({ url }) => url.startsWith("https://coffer.example.com"))).toBe(true);
  });

  it("refuses http and origins with a path", () => {
    expect(() => rewriteManifestOrigin(MANIFEST_TEXT, "http://coffer.example.com")).toThrow(/https/);
    expect(() => rewriteManifestOrigin(MANIFEST_TEXT, "https://example.com/coffer")).toThrow(
      /without a path/,
    );
  });
});

describe("the built add-in", () => {
  let outDir: string;
  const origin = "https://coffer.example.test";

  beforeAll(async () => {
    outDir = path.join(mkdtempSync(path.join(tmpdir(), "coffer-addin-")), "addin");
    await buildAddin({ outDir, publicUrl: origin });
  });
  afterAll(() => rmSync(path.dirname(outDir), { recursive: true, force: true }));

  /** The file a manifest URL is served from: the portal serves the build output under /addin/. */
  function fileFor(url: string): string {
    const { pathname } = new URL(url);
    expect(pathname.startsWith("/addin/"), url).toBe(true);
    return path.join(outDir, pathname.slice("/addin/".length));
  }

  it("writes a manifest whose every file URL points at a file it produced", () => {
    const xml = readFileSync(path.join(outDir, "manifest.xml"), "utf8");
    expect(xml).not.toContain(MANIFEST_PLACEHOLDER_ORIGIN);
    const fileUrls = manifestUrls(xml).filter(({ url }) => new URL(url).pathname.startsWith("/addin/"));
    expect(fileUrls.map(({ url }) => new URL(url).pathname).sort()).toEqual([
      "/addin/assets/icon-128.png",
      "/addin/assets/icon-16.png",
      "/addin/assets/icon-32.png",
      "/addin/assets/icon-64.png",
      "/addin/assets/icon-80.png",
      "/addin/taskpane.html",
      "/addin/taskpane.html",
    ]);
    for (const { url } of fileUrls) expect(existsSync(fileFor(url)), url).toBe(true);
  });

  it("produces icons of the sizes the manifest declares", () => {
    const doc = parse(readFileSync(path.join(outDir, "manifest.xml"), "utf8"));
    const elements = allElements(doc.documentElement!);
    const urlOf = (id: string) =>
      elements
        .find((el) => el.localName === "Image" && el.getAttribute("id") === id)
        ?.getAttribute("DefaultValue");
    const checks: [string, number][] = [];
    for (const el of elements) {
      if (el.localName === "IconUrl") checks.push([el.getAttribute("DefaultValue")!, 64]);
      if (el.localName === "HighResolutionIconUrl") checks.push([el.getAttribute("DefaultValue")!, 128]);
      if (el.localName === "Image" && el.hasAttribute("size")) {
        checks.push([urlOf(el.getAttribute("resid")!)!, Number(el.getAttribute("size"))]);
      }
    }
    expect(checks.length).toBe(5);
    for (const [url, size] of checks) {
      expect(pngSize(readFileSync(fileFor(url))), url).toEqual({ width: size, height: size });
    }
  });

  it("writes a task pane page that loads Office.js before its own bundle, all files present", () => {
    const html = readFileSync(path.join(outDir, "taskpane.html"), "utf8");
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts[0]).toBe("https://appsforoffice.microsoft.com/lib/1/hosted/office.js");
    const local = [...html.matchAll(/(?:src|href)="([^":]+)"/g)].map((m) => m[1]!.split("?")[0]!);
    expect(local).toEqual(expect.arrayContaining(["taskpane.js", "taskpane.css", "assets/icon-32.png"]));
    for (const file of local) expect(existsSync(path.join(outDir, file)), file).toBe(true);
  });
});
