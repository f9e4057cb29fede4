"""dv: collect and merge the "công tác dân vận chính quyền" statistical appendix via Excel."""

__version__ = "0.1.0"
