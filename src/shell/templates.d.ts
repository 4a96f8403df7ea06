// Shell files imported as text (`with { type: "text" }`), so the compiled binary carries them.
declare module "*.bash" {
  const text: string;
  export default text;
}
declare module "*.zsh" {
  const text: string;
  export default text;
}
declare module "*.fish" {
  const text: string;
  export default text;
}
declare module "*/_pyctl" {
  const text: string;
  export default text;
}
declare module "*.sh" {
  const text: string;
  export default text;
}
declare module "*.profile" {
  const text: string;
  export default text;
}
declare module "*.py" {
  const text: string;
  export default text;
}
