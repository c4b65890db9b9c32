/**
 * The small Django project the language-service tests share, written inline. Each test adds one
 * file holding a `$0` cursor (or overrides nothing and puts the cursor in a copy of a file), so
 * the project under the cursor is always the same and every test reads like the code it checks.
 */
export const SETTINGS = `
# -- manage.py
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")
# -- site1/__init__.py
# -- site1/settings.py
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "blog.apps.BlogConfig",
    "shop",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "blog.middleware.TimingMiddleware",
]
ROOT_URLCONF = "site1.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True}]
`;

export const URLS = `
# -- site1/urls.py
from django.urls import include, path
from blog import views

urlpatterns = [
    path("", views.home, name="home"),
    path("blog/", include("blog.urls", namespace="blog")),
    path("news/", include("blog.urls", namespace="news")),
    path("shop/", include("shop.urls")),
]
# -- blog/urls.py
from django.urls import path, re_path
from . import views
from .views import PostDetail

app_name = "blog"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("<int:pk>/", PostDetail.as_view(), name="detail"),
    re_path(r"^tag/(?P<slug>[-\\w]+)/$", views.tag, name="tag"),
    path("<int:year>/<slug:slug>/", views.archive, name="archive"),
]
# -- shop/__init__.py
# -- shop/urls.py
from django.urls import path
from . import views
urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("about/", views.cart, name="about"),
    path("about-us/", views.cart, name="about"),
]
# -- shop/views.py
from django.shortcuts import render
def cart(request):
    return render(request, "shop/cart.html")
`;

export const BLOG = `
# -- blog/__init__.py
# -- blog/apps.py
from django.apps import AppConfig
class BlogConfig(AppConfig):
    name = "blog"
# -- blog/middleware.py
class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
# -- blog/models.py
from django.db import models
from django.urls import reverse

class Author(models.Model):
    name = models.CharField(max_length=100)

class Tag(models.Model):
    slug = models.SlugField()

class Post(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
    tags = models.ManyToManyField("blog.Tag", related_name="posts")
    published = models.DateTimeField()

    def get_absolute_url(self):
        return reverse("blog:detail", kwargs={"pk": self.pk})

class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    body = models.TextField()
# -- blog/views.py
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.generic import DetailView
from .models import Post

def home(request):
    return redirect("blog:list")

def post_list(request):
    posts = Post.objects.select_related("author")
    return render(request, "blog/post_list.html", {"posts": posts})

@login_required
def tag(request, slug):
    return render(request, "blog/post_list.html", {"posts": Post.objects.filter(tags__slug=slug)})

def archive(request, year, slug):
    return redirect("blog:detail", pk=1)

class PostDetail(DetailView):
    model = Post
    template_name = "blog/post_detail.html"
# -- templates/base.html
<title>{% block title %}Blog{% endblock %}</title>
{% block content %}{% endblock %}
# -- blog/templates/blog/post_list.html
{% extends "base.html" %}
{% block content %}{% for post in posts %}<a href="{% url 'blog:detail' pk=post.pk %}">{{ post.title }}</a>{% endfor %}{% endblock %}
# -- blog/templates/blog/post_detail.html
{% extends "base.html" %}
# -- blog/templates/base.html
app copy of base.html, shadowed by templates/base.html
# -- shop/templates/shop/cart.html
{% include "./row.html" %}
# -- shop/templates/shop/row.html
row
`;

export const PROJECT = `${SETTINGS}${URLS}${BLOG}`;
