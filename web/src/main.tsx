/** The entry point: mounts the app. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { Root } from "./components/Root";
import "highlight.js/styles/github.css";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
