#!/usr/bin/python3
"""A minimal WebKitGTK browser for WebKitWebDriver, with a choice of storage.

Debian's MiniBrowser always runs in WebKit's ephemeral (private) storage when driven by
WebDriver (``--automation``), so a test could never see a profile kept on disk. This browser
does what MiniBrowser does in automation mode, on either kind of storage:

    browser.py --automation --profile DIR   website data and cache under DIR (kept on disk)
    browser.py --automation --private       ephemeral storage, as in Safari's private browsing

It runs on Debian's own Python with ``python3-gi`` and ``gir1.2-webkit2-4.1`` (WebKitGTK 4.1, the
same library MiniBrowser and WebKitWebDriver use), never inside the project's virtualenv.
"""

import argparse
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

PHONE = (390, 844)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--automation", action="store_true")
    parser.add_argument("--private", action="store_true")
    parser.add_argument("--profile")
    args, _ = parser.parse_known_args(argv)
    if args.private == bool(args.profile):
        parser.error("give exactly one of --private and --profile DIR")

    if args.private:
        manager = WebKit2.WebsiteDataManager.new_ephemeral()
    else:
        manager = WebKit2.WebsiteDataManager(
            base_data_directory=f"{args.profile}/data",
            base_cache_directory=f"{args.profile}/cache",
        )
    context = WebKit2.WebContext.new_with_website_data_manager(manager)
    context.set_automation_allowed(args.automation)
    windows = []

    def create_web_view(_session):
        view = WebKit2.WebView(
            web_context=context, is_controlled_by_automation=True, settings=_settings()
        )
        window = Gtk.Window()
        window.set_default_size(*PHONE)
        window.add(view)
        window.show_all()
        windows.append(window)
        view.connect("close", lambda _view: window.destroy())
        return view

    def automation_started(_context, session):
        info = WebKit2.ApplicationInfo()
        info.set_name("GembaWebKit")
        info.set_version(WebKit2.get_major_version(), WebKit2.get_minor_version(), 0)
        session.set_application_info(info)
        session.connect("create-web-view", create_web_view)

    context.connect("automation-started", automation_started)
    if not args.automation:
        create_web_view(None).load_uri("about:blank")
    Gtk.main()
    return 0


def _settings():
    settings = WebKit2.Settings()
    settings.set_enable_write_console_messages_to_stdout(True)
    return settings


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
