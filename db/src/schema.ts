export interface DB {
  [k: string]: any;
}
