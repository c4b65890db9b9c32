"""mysite URL configuration."""
from django.contrib import admin
from django.urls import include, path

from blog import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("posts/", views.post_list, name="post_list"),
    path("blog/", include("blog.urls", namespace="blog")),
]
