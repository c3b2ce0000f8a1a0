import { HomePage } from "@/modules/home/components/home-page";

export default function Page() {
  return <HomePage />;
}
