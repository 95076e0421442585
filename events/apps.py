from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Live events"

    def ready(self) -> None:
        from accounts.tokens import credentials_changed
        from events.publish import credentials_recheck_send

        # Revocation reaches open sockets: each one checks its credential again.
        credentials_changed.connect(credentials_recheck_send, dispatch_uid="events-recheck-sockets")
