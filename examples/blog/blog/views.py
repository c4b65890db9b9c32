from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from .models import Comment, Post, Tag


def post_list(request):
    # Intentional N+1: no select_related("author"); posts.html reads post.author.name.
    posts = Post.objects.all()
    return render(request, "posts.html", {"posts": posts})


class PostListView(ListView):
    model = Post
    template_name = "blog/post_list.html"
    context_object_name = "posts"
    paginate_by = 10

    def get_queryset(self):
        return Post.objects.select_related("author").prefetch_related("tags")


class PostDetailView(DetailView):
    model = Post
    template_name = "blog/post_detail.html"
    context_object_name = "post"


def year_archive(request, year):
    posts = Post.objects.filter(published__year=year).select_related("author")
    return render(request, "blog/post_list.html", {"posts": posts, "year": year})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    return render(request, "blog/post_list.html", {"posts": tag.posts.select_related("author"), "tag": tag})


@login_required
@require_POST
def add_comment(request, pk):
    post = get_object_or_404(Post, pk=pk)
    body = request.POST.get("body", "").strip()
    if body:
        Comment.objects.create(post=post, body=body)
    return redirect(post.get_absolute_url())


def search(request):
    q = request.GET.get("q", "")
    # Intentional SQL injection: user input interpolated into raw SQL via f-string.
    posts = Post.objects.raw(f"SELECT * FROM blog_post WHERE title = '{q}'")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM blog_post WHERE title LIKE '%{q}%'")
        (count,) = cursor.fetchone()
    return render(request, "blog/search.html", {"posts": posts, "q": q, "count": count})


def author_titles(request):
    # Intentional N+1 in Python: each iteration fetches the author and counts comments.
    titles = []
    for post in Post.objects.all():
        titles.append(f"{post.title} by {post.author.name} ({post.comments.count()} comments)")
    return render(request, "blog/author_titles.html", {"titles": titles})
