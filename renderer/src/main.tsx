import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { createApiClient, hideTokenFromAddressBar } from "./api/createApiClient.js";
import { AppStoreProvider } from "./store/AppStoreProvider.js";
import { createAppStore } from "./store/createAppStore.js";
import "./styles/theme.css";
import "./styles/app.css";

const store = createAppStore(createApiClient());
hideTokenFromAddressBar();
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <AppStoreProvider store={store}>
      <App />
    </AppStoreProvider>
  </StrictMode>,
);
