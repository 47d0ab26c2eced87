// Python sources bundled as text (the build's `.py` loader): written into the interpreter's file system.
declare module "*.py" {
  const source: string;
  export default source;
}
