import { useNavigation } from "@remix-run/react";

/**
 * True while this page's form post is on its way (and while the page it leads to loads): its
 * button is disabled and says so, so a double click sends one post. With `intent`, only the
 * post of the button that carries that intent counts (a page with Pay and Release).
 */
export function useBusy(intent?: string): boolean {
  const navigation = useNavigation();
  if (navigation.state === "idle" || !navigation.formData) return false;
  return intent === undefined || navigation.formData.get("intent") === intent;
}
