export * from "./backend";
export * from "./config";
export { BlobFormatError, type BlobKey, type Compression, keyIdFor, toBlobKey } from "./format";
export * from "./fs-backend";
export { isPackKey, type PackLocation, PackWriter, packKey, parsePackKey } from "./packs";
export * from "./rows";
export * from "./store";
