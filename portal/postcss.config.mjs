// Tailwind 4 runs as a PostCSS plugin; app/globals.css starts with `@import "tailwindcss"`.
export default {
  plugins: { "@tailwindcss/postcss": {} },
};
