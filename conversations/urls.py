from django.urls import path

from conversations import uploads, views

urlpatterns = [
    path("chatkit", views.chatkit_endpoint, name="chatkit"),
    path("chatkit/attachments/<str:attachment_id>/upload", uploads.upload_attachment, name="chatkit-upload"),
    path(
        "chatkit/attachments/<str:attachment_id>/preview", uploads.preview_attachment, name="chatkit-preview"
    ),
]
