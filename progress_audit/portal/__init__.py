"""The submission portal (报送门户): each lead unit's page behind its secret link, where it
downloads the month's template, uploads its workbook and reads the receipt at once.

The routes are thin: they find the unit by its link, stream the upload to a temporary file,
and call the intake (`take_upload`) and the pipeline's stages, as the inbox does.
"""
