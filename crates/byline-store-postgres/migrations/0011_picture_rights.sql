-- What a picture's file says of its rights (creator, copyright notice, licence page, licensor),
-- kept for the licensing details of structured data.
ALTER TABLE pictures ADD COLUMN rights_creator TEXT;
ALTER TABLE pictures ADD COLUMN rights_copyright TEXT;
ALTER TABLE pictures ADD COLUMN rights_license_url TEXT;
ALTER TABLE pictures ADD COLUMN rights_licensor_url TEXT;
