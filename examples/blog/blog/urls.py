from django.urls import path, re_path, register_converter

from . import converters, views

register_converter(converters.FourDigitYearConverter, "yyyy")

app_name = "blog"

urlpatterns = [
    path("", views.PostListView.as_view(), name="post_index"),
    path("<int:pk>/", views.PostDetailView.as_view(), name="post_detail"),
    path("archive/<yyyy:year>/", views.year_archive, name="year_archive"),
    re_path(r"^tag/(?P<slug>[-a-zA-Z0-9_]+)/$", views.tag_detail, name="tag_detail"),
    path("<int:pk>/comment/", views.add_comment, name="add_comment"),
    path("search/", views.search, name="search"),
    path("authors/", views.author_titles, name="author_titles"),
]
