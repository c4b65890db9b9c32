from django.contrib import admin

from .models import Author, AuthorProfile, Comment, Post, Tag


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "published")
    list_filter = ("tags",)
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [CommentInline]


admin.site.register(Author)
admin.site.register(AuthorProfile)
admin.site.register(Tag)
admin.site.register(Comment)
