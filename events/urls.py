from django.urls import path

from events.apis import EventsTicketApi

routes = [path("ticket", EventsTicketApi.as_view(), name="events-ticket")]
