// The console's screens, their place in the navigation and who sees them.
import type { FunctionComponent } from "preact";
import { lazyScreen } from "./lazy-screen";
import type { Session } from "./session";
import { OverviewScreen } from "./screens/overview";

// Each screen but the first is its own module, fetched when first opened: the sign-in and the overview load fast.
const BroadcastsScreen = lazyScreen(() => import("./screens/broadcasts/broadcasts-screen").then((m) => m.BroadcastsScreen));
const TasksScreen = lazyScreen(() => import("./screens/tasks/tasks-screen").then((m) => m.TasksScreen));
const RegistryScreen = lazyScreen(() => import("./screens/registry/registry-screen").then((m) => m.RegistryScreen));
const AccountsScreen = lazyScreen(() => import("./screens/accounts/accounts-screen").then((m) => m.AccountsScreen));
const InboxScreen = lazyScreen(() => import("./screens/support/inbox-screen").then((m) => m.InboxScreen));
const ReviewScreen = lazyScreen(() => import("./screens/support/review-screen").then((m) => m.ReviewScreen));
const KnowledgeScreen = lazyScreen(() => import("./screens/support/knowledge-screen").then((m) => m.KnowledgeScreen));

export interface ScreenEntry {
  /** the first path segment: #/tasks */
  path: string;
  /** nav.<path> in the console.json locale files */
  navKey: string;
  component: FunctionComponent;
  visible(session: Session): boolean;
}

const everyone = (): boolean => true;

export const SCREENS: ScreenEntry[] = [
  { path: "overview", navKey: "nav.overview", component: OverviewScreen, visible: everyone },
  { path: "broadcasts", navKey: "nav.broadcasts", component: BroadcastsScreen, visible: everyone },
  { path: "tasks", navKey: "nav.tasks", component: TasksScreen, visible: everyone },
  { path: "registry", navKey: "nav.registry", component: RegistryScreen, visible: everyone },
  { path: "inbox", navKey: "nav.inbox", component: InboxScreen, visible: everyone },
  { path: "review", navKey: "nav.review", component: ReviewScreen, visible: everyone },
  { path: "knowledge", navKey: "nav.knowledge", component: KnowledgeScreen, visible: everyone },
  { path: "accounts", navKey: "nav.accounts", component: AccountsScreen, visible: (s) => s.isDepartmentAdmin },
];
