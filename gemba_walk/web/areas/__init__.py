"""The area and site pages: the area's page, labels, the admin lists."""
