from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("tweede-factor/", views.otp_view, name="otp"),
    path("meldingen/", views.notifications, name="notifications"),
    path("meldingen/alles-gelezen/", views.notification_read_all, name="notification_read_all"),
    path("meldingen/<int:pk>/gelezen/", views.notification_read, name="notification_read"),
    path("meldingen/<int:pk>/openen/", views.notification_open, name="notification_open"),
    path("meldingen/e-mail/", views.notification_preference, name="notification_preference"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/intrekken/", views.api_token_revoke_view, name="api_token_revoke"),
    path("wachtwoord/", views.password_change, name="password_change"),
    path("activeren/<str:key>/", views.activate, name="activate"),
]
